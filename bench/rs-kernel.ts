// Micro-benchmark of the Reed–Solomon FFT kernel backends (core/encoding/fft-kernel.ts) on the
// codes of Red Stuff at n = 1000: one encodeInPlace of a 1024-element-wide batch (the blob
// encoder's WORK_WIDTH_ELEMENTS_TARGET), and one decode of a batch with every original missing
// that can be. Build, then run: node dist/bench/rs-kernel.js. Prints ms per call, best of a few
// short runs (the machine is shared), and the JS/wasm ratio.
import { xorshiftFill } from './pseudo-random.js';
import {
  gf16Backend,
  gf16WasmBytes,
  useGf16Js,
  useGf16WasmModule,
} from '../core/encoding/fft-kernel.js';
import { ReedSolomonCode } from '../core/encoding/reed-solomon.js';

const CODES: [number, number][] = [
  [667, 333],
  [334, 666],
];
const WIDTH_ELEMENTS = 1024;
const RUNS = 5;
const RUN_MS_MIN = 150;

function pseudoRandomElements(length: number): Uint16Array {
  return xorshiftFill(new Uint16Array(length), 0xffff);
}

/** Best ms per call over RUNS runs of at least RUN_MS_MIN each, after one warm-up run. */
function msPerCall(call: () => void): number {
  let best = Infinity;
  for (let run = -1; run < RUNS; run++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < RUN_MS_MIN) {
      call();
      calls++;
      elapsed = performance.now() - start;
    }
    if (run >= 0) best = Math.min(best, elapsed / calls);
  }
  return best;
}

function measure(code: ReedSolomonCode) {
  const originals = pseudoRandomElements(code.k * WIDTH_ELEMENTS);
  const work = code.allocateWork(WIDTH_ELEMENTS);
  const encode = msPerCall(() => {
    work.fill(0);
    work.set(originals);
    code.encodeInPlace(work, WIDTH_ELEMENTS);
  });
  // Receive the last k symbols: as many originals missing as the code allows. Their values do
  // not matter for the timing (decode does not check consistency).
  const indices = Array.from({ length: code.k }, (_, i) => code.n - code.k + i);
  const symbols = pseudoRandomElements(code.k * WIDTH_ELEMENTS);
  const decoder = code.decoderFor(indices);
  const decode = msPerCall(() => decoder.decode(symbols, WIDTH_ELEMENTS));
  return { encode, decode };
}

const wasmModule = new WebAssembly.Module(gf16WasmBytes());
for (const [k, m] of CODES) {
  const code = new ReedSolomonCode(k, m);
  useGf16Js();
  const js = measure(code);
  useGf16WasmModule(wasmModule);
  const wasm = measure(code);
  const missing = Math.min(k, m);
  const ratio = (a: number, b: number) => `x${(a / b).toFixed(1)}`;
  console.log(
    `(${k},${m}) width ${WIDTH_ELEMENTS}: encode js ${js.encode.toFixed(2)} ms, ` +
      `${gf16Backend()} ${wasm.encode.toFixed(2)} ms (${ratio(js.encode, wasm.encode)}); ` +
      `decode of ${missing} missing js ${js.decode.toFixed(1)} ms, ` +
      `wasm ${wasm.decode.toFixed(1)} ms (${ratio(js.decode, wasm.decode)})`,
  );
}
