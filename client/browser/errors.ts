/**
 * What can go wrong in a browser upload, one class each, so a page can say which (the upload page
 * shows each with its own message). Every one extends SessionUploadError; `reason` is stable text
 * for code, `message` is for people.
 */

export type SessionUploadFailure =
  'FILE_TOO_LARGE' | 'SESSION_EXPIRED' | 'SESSION_NOT_FOUND' | 'UPLOAD_FAILED' | 'ABORTED';

export class SessionUploadError extends Error {
  override name = 'SessionUploadError';
  constructor(
    readonly reason: SessionUploadFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Refused before a byte is sent: the file is larger than the session's `maxBytes`. */
export class FileTooLargeError extends SessionUploadError {
  override name = 'FileTooLargeError';
  constructor(
    readonly fileBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      'FILE_TOO_LARGE',
      `the file is ${formatBytes(fileBytes)}; this upload link accepts at most ${formatBytes(maxBytes)}`,
    );
  }
}

export class SessionExpiredError extends SessionUploadError {
  override name = 'SessionExpiredError';
  constructor(message = 'this upload link has expired: ask for a new one') {
    super('SESSION_EXPIRED', message);
  }
}

/** The token is not valid (tampered, foreign) or the session is gone. */
export class SessionNotFoundError extends SessionUploadError {
  override name = 'SessionNotFoundError';
  constructor(message = 'this upload link is not valid') {
    super('SESSION_NOT_FOUND', message);
  }
}

/** The session failed (the edge or the nodes could not store the blob), or the transfer did. */
export class UploadFailedError extends SessionUploadError {
  override name = 'UploadFailedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UPLOAD_FAILED', message, options);
  }
}

export class UploadAbortedError extends SessionUploadError {
  override name = 'UploadAbortedError';
  constructor() {
    super('ABORTED', 'the upload was cancelled');
  }
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB": sizes as people read them, exact below a KiB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} bytes`;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}
