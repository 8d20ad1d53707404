import { runService } from '@kafka-ref/service-kit/bootstrap'
import { parseConfig } from './config.ts'
import { SERVICE_NAME } from './service-name.ts'

runService({ name: SERVICE_NAME, parseConfig, loadApp: () => import('./app.ts') })
