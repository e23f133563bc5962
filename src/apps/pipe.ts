/**
 * A byte stream between programs (stdin/stdout/stderr, shell pipes). Writers push chunks;
 * a reader awaits them. `end()` signals EOF. Text is UTF-8.
 */
export class Pipe {
  private chunks: Uint8Array[] = [];
  private waiting: ((c: Uint8Array | null) => void) | null = null;
  ended = false;
  /** Called synchronously on every write (terminal echo, transcripts). */
  onData: ((c: Uint8Array) => void) | null = null;
  private readonly enc = new TextEncoder();

  write(c: Uint8Array | string): void {
    if (this.ended) return;
    const b = typeof c === 'string' ? this.enc.encode(c) : c;
    if (b.length === 0) return;
    if (this.onData) this.onData(b);
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(b);
    } else this.chunks.push(b);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(null);
    }
  }

  /** Next chunk, or null at EOF. */
  read(): Promise<Uint8Array | null> {
    const c = this.chunks.shift();
    if (c) return Promise.resolve(c);
    if (this.ended) return Promise.resolve(null);
    return new Promise((r) => (this.waiting = r));
  }

  /** Everything until EOF, as text. */
  async readAll(): Promise<string> {
    const parts: Uint8Array[] = [];
    for (;;) {
      const c = await this.read();
      if (c === null) break;
      parts.push(c);
    }
    return Buffer.concat(parts).toString('utf8');
  }

  /** Drain what is buffered now, as text (non-blocking). */
  takeText(): string {
    const t = Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    return t;
  }
}

/** A sink that collects everything written (exec's captured stdout/stderr). */
export class Collector {
  private parts: Uint8Array[] = [];
  private readonly enc = new TextEncoder();
  onData: ((c: Uint8Array) => void) | null = null;
  write(c: Uint8Array | string): void {
    const b = typeof c === 'string' ? this.enc.encode(c) : c;
    this.parts.push(b);
    if (this.onData) this.onData(b);
  }
  end(): void {}
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

export interface Writer {
  write(c: Uint8Array | string): void;
  end(): void;
}
