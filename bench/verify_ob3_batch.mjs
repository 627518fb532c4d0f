// Verify a JSON array of Data Integrity credentials with the conformance kit's verifier stack
// (@digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite + jsonld, offline loader), in one process,
// and print {"count", "verified", "ms", "cpuMs"} as JSON (wall and CPU milliseconds of the loop).
// Used by bench/credentials.py.
//
//   CONFORMANCE_KIT=.conformance node bench/verify_ob3_batch.mjs credentials.json DOCS_DIR
//
// Status lists are not checked (checkStatus answers "verified"): this times proof verification.
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const kit = path.resolve(process.env.CONFORMANCE_KIT || '.conformance');
const from = relative => import(pathToFileURL(path.join(kit, relative)).href);
const vc = await from('node_modules/@digitalbazaar/vc/lib/index.js');
const {DataIntegrityProof} = await from('node_modules/@digitalbazaar/data-integrity/lib/index.js');
const {cryptosuite} = await from(
  'node_modules/@digitalbazaar/eddsa-rdfc-2022-cryptosuite/lib/index.js');
const {createLoader} = await from('js/loader.mjs');

const [credentialsFile, docsDir] = process.argv.slice(2);
const credentials = JSON.parse(fs.readFileSync(credentialsFile, 'utf8'));
const {documentLoader} = createLoader({docsDirs: docsDir ? [docsDir] : []});
const suite = new DataIntegrityProof({cryptosuite});
const checkStatus = async () => ({verified: true});

async function verifyOne(credential) {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  if (!result.verified) {
    process.stderr.write(JSON.stringify(result.error?.errors?.[0]?.message ||
      result.results?.[0]?.error?.message || result.error?.message || result) + '\n');
  }
  return result.verified;
}

await verifyOne(credentials[0]);  // warm up: contexts, JIT
let verified = 0;
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
for (const credential of credentials) {
  if (await verifyOne(credential)) verified += 1;
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(JSON.stringify({count: credentials.length, verified, ms, cpuMs}) + '\n');
