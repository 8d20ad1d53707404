/**
 * Compares the working tree's contract with the released one (`baseline/`) and prints every change
 * that would break a producer or a consumer of a released version; exits 1 if there is one.
 *   pnpm contracts:check
 * The unit test `test/compat/working-tree.test.ts` runs the same check in `pnpm test`.
 */
import { join } from 'node:path'
import { checkCompatibility, formatFindings } from './compat/check.ts'
import { BASELINE_DIR, readContract } from './compat/contract.ts'
import { strictArgs } from './compat/strict-args.ts'
import { packageRoot } from './files.ts'

strictArgs(
  'pnpm contracts:check',
  {},
  'Compares the contract with the released one (shared-contracts/baseline/); exits 1 on a breaking change.',
)
const findings = await checkCompatibility(
  await readContract(join(packageRoot, BASELINE_DIR)),
  await readContract(packageRoot),
)
if (findings.length === 0) {
  console.log('contracts:check: compatible with the released contract (baseline/)')
} else {
  console.error(`contracts:check: ${findings.length} breaking change(s) against baseline/:`)
  console.error(formatFindings(findings))
  console.error('A breaking change is a new data version, never an edit (see README, Changing an event).')
  process.exitCode = 1
}
