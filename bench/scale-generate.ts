// Child process of bench/scale-data.ts: write one demo export (streamed to disk by the generator)
// and print its DemoResult as one JSON line.
import { generateSyntheaDemo } from '../connectors/index.ts';

const [dir, patients, seed] = process.argv.slice(2) as [string, string, string];
const r = await generateSyntheaDemo({ dir, patients: Number(patients), seed: Number(seed) });
process.stdout.write(`${JSON.stringify({ ...r, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
