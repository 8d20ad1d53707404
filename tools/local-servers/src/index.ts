export * from './kafka/index.ts'
export * from './postgres/index.ts'
export { isToolError, ToolError } from './util/tool-error.ts'
