export { createDatabase, databaseUrl, describeServer } from './create-database.ts'
export { type LocalPostgres, type StartPostgresOptions, startPostgres } from './server.ts'
