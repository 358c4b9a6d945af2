// WsEdgeError: an Error carrying the server's (or the client's) error code.

/** An Error with the server's (or the client's) error code. */
export class WsEdgeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message ? `${code}: ${message}` : code);
    this.name = "WsEdgeError";
    this.code = code;
  }
}
