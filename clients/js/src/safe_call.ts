// Runs application callbacks so that one that throws cannot break the client's own state.

/** Calls `fn(arg)`; an exception is rethrown from a microtask, where the app's handlers see it. */
export function safeCall<T>(fn: ((arg: T) => void) | undefined, arg: T): void {
  if (!fn) return;
  try {
    fn(arg);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
