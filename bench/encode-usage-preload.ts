/**
 * Preloaded (`node --import`) into every whole-process run of bench/encode-process.ts: when the
 * process exits, writes its own CPU seconds (user + system, all threads) and peak RSS as one JSON
 * line to the file named by ENCODE_USAGE_FILE. The measured program is not changed; the preload
 * costs both implementations the same ~1 ms.
 */
import { writeFileSync } from 'node:fs';

export interface ProcessUsage {
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
}

const USAGE_FILE_ENV = 'ENCODE_USAGE_FILE';
const file = process.env[USAGE_FILE_ENV];

if (file !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const result: ProcessUsage = {
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      peakRssBytes: usage.maxRSS * 1024,
    };
    writeFileSync(file, JSON.stringify(result) + '\n');
  });
}
