/**
 * The upload page's script (client/browser/page/page.html; bundled by scripts/build-upload-page.mjs
 * and served by the Worker at /upload/{token}, workers/upload-page.ts). The token in the page's URL
 * is the session's: the page reads the session's descriptor, then uploads the file the user
 * picks or drops with uploadToSession, showing bytes, stages and the outcome.
 */
import type { SessionStatus } from '../../session-descriptor.js';
import type { SessionDescriptor, UploadProgress, UploadStage } from '../../session-descriptor.js';
import { fetchSessionDescriptor } from '../descriptor.js';
import { SessionUploadError, formatBytes } from '../errors.js';
import { watchStatus } from '../status-watch.js';
import { type UploadMode, uploadToSession } from '../upload.js';

/**
 * The stages in the order a mode goes through them: the edge encodes after the upload (relay);
 * the browser encodes first, then sends slivers to the storage nodes (client-side encoding).
 */
const STAGE_ORDER: Readonly<Record<UploadMode, readonly UploadStage[]>> = {
  relay: ['uploading', 'encoding', 'storing', 'certified'],
  'client-side': ['encoding', 'uploading', 'storing', 'certified'],
};
const STAGE_TEXT: Readonly<Record<UploadMode, Readonly<Record<UploadStage, string>>>> = {
  relay: {
    uploading: 'Uploading…',
    encoding: 'Encoding the file into slivers…',
    storing: 'Storing the slivers on the storage nodes…',
    certified: 'Certified: the file is stored on Walrus.',
  },
  'client-side': {
    encoding: 'Encoding the file into slivers in this browser…',
    uploading: 'Sending the slivers to the storage nodes…',
    storing: 'Certifying the blob on chain…',
    certified: 'Certified: the file is stored on Walrus.',
  },
};

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const ui = {
  limit: element<HTMLParagraphElement>('limit'),
  drop: element<HTMLDivElement>('drop'),
  input: element<HTMLInputElement>('file'),
  progress: element<HTMLElement>('progress'),
  bar: element<HTMLProgressElement>('bar'),
  bytes: element<HTMLParagraphElement>('bytes'),
  status: element<HTMLParagraphElement>('status'),
  error: element<HTMLParagraphElement>('error'),
  result: element<HTMLElement>('result'),
  blobId: element<HTMLElement>('blob-id'),
  blobLink: element<HTMLAnchorElement>('blob-link'),
  objectId: element<HTMLElement>('object-id'),
};

let session: SessionDescriptor | undefined;
let busy = false;
let mode: UploadMode = 'relay';

/** Puts the stage list in the order of the upload's mode. */
function setMode(chosen: UploadMode): void {
  mode = chosen;
  document.body.dataset.mode = chosen;
  const list = ui.progress.querySelector('ol')!;
  for (const stage of STAGE_ORDER[chosen]) {
    list.appendChild(list.querySelector(`li[data-stage="${stage}"]`)!);
  }
}

function setEnabled(enabled: boolean): void {
  ui.input.disabled = !enabled;
  ui.drop.classList.toggle('disabled', !enabled);
}

function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
  document.body.dataset.state = 'error';
}

function showStage(stage: UploadStage): void {
  ui.progress.hidden = false;
  const order = STAGE_ORDER[mode];
  const at = order.indexOf(stage);
  for (const item of Array.from(ui.progress.querySelectorAll<HTMLLIElement>('li[data-stage]'))) {
    const index = order.indexOf(item.dataset.stage as UploadStage);
    item.classList.toggle('done', index < at || stage === 'certified');
    if (index === at && stage !== 'certified') item.setAttribute('aria-current', 'step');
    else item.removeAttribute('aria-current');
  }
  document.body.dataset.state = stage;
  ui.status.textContent = STAGE_TEXT[mode][stage];
}

function showProgress(progress: UploadProgress): void {
  showStage(progress.stage);
  const { bytesDone, bytesTotal } = progress;
  ui.bar.max = Math.max(1, bytesTotal);
  if (progress.stage === 'encoding' && mode === 'client-side') {
    // Encoding in the Web Worker reports no bytes: an indeterminate bar.
    ui.bar.removeAttribute('value');
    ui.bytes.textContent = `Encoding ${formatBytes(progress.bytesTotal)} of slivers`;
    return;
  }
  ui.bar.value = progress.stage === 'uploading' ? bytesDone : bytesTotal;
  const what = mode === 'client-side' ? ' of slivers' : '';
  ui.bytes.textContent = `${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}${what}`;
}

function showResult(status: SessionStatus): void {
  if (session === undefined || status.blobId === undefined) return;
  showStage('certified');
  ui.bar.value = ui.bar.max;
  ui.blobId.textContent = status.blobId;
  const link = `${session.aggregatorUrl.replace(/\/+$/, '')}/v1/blobs/${status.blobId}`;
  ui.blobLink.href = link;
  ui.blobLink.textContent = link;
  ui.objectId.textContent = status.blobObjectId ?? '';
  ui.result.hidden = false;
  // Nothing is left to choose: the link is used.
  ui.drop.hidden = true;
  setEnabled(false);
}

function explain(error: unknown): string {
  if (error instanceof SessionUploadError) {
    const text = error.message.endsWith('.') ? error.message : `${error.message}.`;
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  return `Something went wrong: ${String(error)}`;
}

async function upload(file: File): Promise<void> {
  if (session === undefined || busy) return;
  busy = true;
  setEnabled(false);
  ui.error.hidden = true;
  ui.result.hidden = true;
  ui.status.textContent = `Starting the upload of ${file.name} (${formatBytes(file.size)})…`;
  const body = document.body.dataset;
  try {
    const result = await uploadToSession(file, session, {
      encoderWorkerUrl: body.encoderWorker,
      wasmUrls:
        body.gf16Wasm !== undefined && body.blake2bWasm !== undefined
          ? { gf16: body.gf16Wasm, blake2b: body.blake2bWasm }
          : undefined,
      onMode: setMode,
      onProgress: showProgress,
      onResume: (offset) => {
        body.resumedFrom = String(offset);
        ui.status.textContent = `Resuming the earlier upload from ${formatBytes(offset)}…`;
      },
    });
    showResult({
      state: 'certified',
      bytesReceived: file.size,
      uploadLength: file.size,
      ...result,
    });
  } catch (error) {
    ui.status.textContent = `${file.name} was not stored.`;
    showError(explain(error));
    // A file over the limit may be followed by a smaller one; other failures end this link's use.
    setEnabled((error as SessionUploadError).reason === 'FILE_TOO_LARGE');
  } finally {
    busy = false;
  }
}

function wireInput(): void {
  ui.input.addEventListener('change', () => {
    const file = ui.input.files?.[0];
    if (file !== undefined) void upload(file);
  });
  ui.drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (!ui.input.disabled) ui.drop.classList.add('over');
  });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  ui.drop.addEventListener('drop', (event) => {
    event.preventDefault();
    ui.drop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file !== undefined && !ui.input.disabled) void upload(file);
  });
}

async function start(): Promise<void> {
  wireInput();
  const token = location.pathname.split('/').filter(Boolean).pop() ?? '';
  const endpoint = `${location.origin}/v1/uploads/${token}`;
  try {
    session = await fetchSessionDescriptor(endpoint);
  } catch (error) {
    ui.limit.textContent = '';
    showError(explain(error));
    return;
  }
  const expires = new Date(session.expiresAt).toLocaleString();
  ui.limit.textContent = `Files up to ${formatBytes(session.maxBytes)}. This link works until ${expires}.`;
  const { status } = session;
  document.body.dataset.state = status.state;
  if (status.state === 'certified') return showResult(status);
  if (status.state === 'expired')
    return showError('This upload link has expired: ask for a new one.');
  if (status.state === 'failed') {
    return showError(`The upload failed${status.error === undefined ? '' : `: ${status.error}`}.`);
  }
  if (status.state === 'encoding' || status.state === 'storing') {
    // The file is on its way already (this page was reloaded after the upload): follow it.
    showStage(status.state);
    try {
      showResult(
        await watchStatus(
          session.statusUrl,
          (s) => s.state in STAGE_TEXT.relay && showStage(s.state as UploadStage),
        ),
      );
    } catch (error) {
      showError(explain(error));
    }
    return;
  }
  if (status.state === 'uploading') {
    ui.status.textContent = `An upload was interrupted at ${formatBytes(status.bytesReceived)}: choose the same file to resume it.`;
  }
  setEnabled(true);
  document.body.dataset.ready = 'true';
}

void start();
