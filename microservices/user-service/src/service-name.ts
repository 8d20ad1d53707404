/** Its own module: the entry point needs the name before it may import the app (see server.ts). */
export const SERVICE_NAME = 'user-service'
