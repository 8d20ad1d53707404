-- Database per service: each service owns its schema and migrates it at start.
CREATE DATABASE users;
CREATE DATABASE profiles;
