// The same small emitter as sfu/src/typedEmitter.ts, written here because the gateway does not
// borrow runtime helpers from the SFU package (issue 12): it only uses the SFU's types.

/** Listener signatures by event name, like `HlsGatewayEvents`. */
export type EventMap<Events> = { [E in keyof Events]: (...args: never[]) => void };

/**
 * A small typed event emitter: event names and listener arguments are checked by the
 * compiler, and a throwing listener is reported instead of breaking the emitting code
 * (which is often in the middle of a mediasoup close cascade).
 */
export class TypedEmitter<Events extends EventMap<Events>> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void) {}

  on<E extends keyof Events>(event: E, listener: Events[E]): void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): void {
    const set = this.listeners.get(event);
    set?.delete(listener);
    if (set?.size === 0) this.listeners.delete(event);
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    // Copy: a listener may remove itself (or others) while we iterate.
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as (...a: Parameters<Events[E]>) => void)(...args);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
