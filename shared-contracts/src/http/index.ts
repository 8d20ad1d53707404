/**
 * The HTTP contracts alone (`@kafka-ref/shared-contracts/http`), so a browser bundle can validate
 * forms and responses without pulling in the Kafka codec.
 */
export * from '../fields.ts'
export * from './problem.ts'
export * from './profile.ts'
export * from './user.ts'
