/**
 * Releases the working tree's contract: copies the AsyncAPI document and the event JSON Schema
 * files into `baseline/`, which the compatibility check compares against from then on.
 *   pnpm contracts:release
 *   pnpm contracts:release --accept-breaking "<why no released reader can be hurt>"
 * Refuses a contract that breaks the released one, unless --accept-breaking says why; the reason
 * and the changes it accepts are appended to baseline/ACCEPTED.md, for review with the commit.
 */
import { appendFile, cp, mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { checkCompatibility, formatFindings } from './compat/check.ts'
import { BASELINE_DIR, contractFiles, readContract } from './compat/contract.ts'
import { strictArgs } from './compat/strict-args.ts'
import { packageRoot } from './files.ts'

const COMMAND = 'pnpm contracts:release'
const HELP = `Copies the contract into shared-contracts/baseline/ (the released contract); refuses a breaking
change unless --accept-breaking "<why>" says why no released reader can be hurt.`
const acceptance = strictArgs(COMMAND, { 'accept-breaking': { type: 'string' } }, HELP)['accept-breaking'] as
  | string
  | undefined
const baseline = join(packageRoot, BASELINE_DIR)

const findings = await checkCompatibility(await readContract(baseline), await readContract(packageRoot))
if (findings.length > 0 && !acceptance?.trim()) {
  console.error(`${COMMAND}: refused, ${findings.length} breaking change(s) against the released contract:`)
  console.error(formatFindings(findings))
  console.error('Make it a new data version instead; or, if no released reader can be hurt, say why:')
  console.error(`  ${COMMAND} --accept-breaking "<reason>"`)
  process.exit(1)
}

// The baseline mirrors the contract exactly: a file gone from the contract goes from it too.
await rm(join(baseline, 'asyncapi'), { recursive: true, force: true })
await rm(join(baseline, 'json-schema'), { recursive: true, force: true })
for (const file of await contractFiles(packageRoot)) {
  await mkdir(dirname(join(baseline, file)), { recursive: true })
  await cp(join(packageRoot, file), join(baseline, file))
  console.log(`released ${file}`)
}
if (findings.length > 0) {
  const entry = `\n## ${new Date().toISOString()}: ${acceptance!.trim()}\n\n${formatFindings(findings)}\n`
  await appendFile(join(baseline, 'ACCEPTED.md'), entry)
  console.log(`accepted ${findings.length} breaking change(s); recorded in ${BASELINE_DIR}/ACCEPTED.md`)
}
