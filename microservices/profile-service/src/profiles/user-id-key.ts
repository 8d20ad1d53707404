/** Ids are UUIDs, which PostgreSQL and clients may spell in either case: one key for all spellings. */
export const userIdKey = (userId: string) => userId.toLowerCase()
