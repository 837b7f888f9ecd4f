import type { PDFDocumentLoadingTask, PDFDocumentProxy } from 'pdfjs-dist';
import { LIMITS, SlideUploadReplySchema } from '@parley/protocol';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { log } from '../log.ts';
import type { SlidesTicket } from './api.ts';
import type { SlideRef } from './BoardDoc.ts';

/**
 * Slides: PDF decks uploaded by a host, rendered page by page in the browser by pdf.js. pdf.js
 * is its own lazy chunk, fetched the first time a slide page is shown or a PDF is uploaded;
 * the board itself does not need it.
 */

type Pdfjs = typeof import('pdfjs-dist');
let pdfjs: Promise<Pdfjs> | null = null;

function loadPdfjs(): Promise<Pdfjs> {
  pdfjs ??= import('pdfjs-dist').then((m) => {
    m.GlobalWorkerOptions.workerSrc = workerUrl;
    return m;
  });
  // A failed chunk load is reported by the caller; forget it so the next try loads again.
  pdfjs.catch(() => (pdfjs = null));
  return pdfjs;
}

export interface SlidesAuth {
  roomId: string;
  ticket(): Promise<SlidesTicket>;
}

function deckUrl(roomId: string, deckId?: string): string {
  const base = `/api/rooms/${encodeURIComponent(roomId)}/slides`;
  return deckId ? `${base}/${encodeURIComponent(deckId)}` : base;
}

async function authHeader(auth: SlidesAuth): Promise<string> {
  return `Bearer ${(await auth.ticket()).ticket}`;
}

/** Uploads a PDF; resolves with the deck id. Errors carry a message for the user. */
export async function uploadDeck(auth: SlidesAuth, file: File): Promise<string> {
  if (file.size > LIMITS.SLIDES_MAX_BYTES) {
    throw new Error(`The PDF is too large (at most ${LIMITS.SLIDES_MAX_BYTES >> 20} MB)`);
  }
  const res = await fetch(deckUrl(auth.roomId), {
    method: 'POST',
    headers: { Authorization: await authHeader(auth), 'Content-Type': 'application/pdf' },
    body: file,
  });
  if (!res.ok) throw new Error(uploadError(res.status));
  const reply = SlideUploadReplySchema.safeParse(await res.json());
  if (!reply.success) throw new Error('The server sent an unexpected reply');
  return reply.data.deckId;
}

function uploadError(status: number): string {
  if (status === 413) return 'The PDF is too large';
  if (status === 403 || status === 401) return 'Only hosts can upload slides';
  if (status === 415 || status === 400) return 'That file is not a PDF the server accepts';
  if (status === 409 || status === 507) return 'This room has no room for more slides';
  return `The upload failed (HTTP ${status})`;
}

interface Rendered {
  width: number;
  image: HTMLCanvasElement;
  size: { w: number; h: number };
}

/** How many rendered slide pages stay in memory. */
const KEEP = 6;
/** A failed deck is retried after this long, not on every frame. */
const RETRY_MS = 10_000;

/**
 * The decks this board has seen, and their pages rendered at the size they are shown. A page
 * is re-rendered when the zoom makes it much sharper or smaller; meanwhile the old rendering
 * is shown, so zooming never flashes a blank page.
 */
export class SlideCache {
  private readonly decks = new Map<string, Promise<PDFDocumentProxy>>();
  private readonly failedAt = new Map<string, number>();
  private readonly pages = new Map<string, Rendered>();
  private readonly rendering = new Set<string>();
  private readonly tasks = new Set<PDFDocumentLoadingTask>();
  private closed = false;

  constructor(
    private readonly auth: SlidesAuth,
    private readonly onReady: () => void,
  ) {}

  /** The deck's page count (at most LIMITS.SLIDE_PAGES_MAX). */
  async pageCount(deckId: string): Promise<number> {
    const deck = await this.deck(deckId);
    return Math.min(deck.numPages, LIMITS.SLIDE_PAGES_MAX);
  }

  /** The page rendered about `pixelWidth` wide, or null while it renders (onReady follows). */
  image(slide: SlideRef, pixelWidth: number): Rendered | null {
    const key = `${slide.deckId}:${slide.page}`;
    const have = this.pages.get(key);
    // Steps of 256 px, so a small zoom does not render again.
    const width = Math.min(4096, Math.max(256, Math.ceil(pixelWidth / 256) * 256));
    const failed = this.failedAt.get(slide.deckId);
    const retry = failed === undefined || Date.now() - failed > RETRY_MS;
    if (have?.width !== width && !this.rendering.has(key) && retry) {
      this.rendering.add(key);
      this.render(key, slide, width)
        .catch((err: unknown) => {
          log.warn('board: slide page not rendered', err);
          this.failedAt.set(slide.deckId, Date.now());
        })
        .finally(() => this.rendering.delete(key));
    }
    return have ?? null;
  }

  destroy(): void {
    this.closed = true;
    // Destroying the loading task frees the document and its worker.
    for (const task of this.tasks) {
      task.destroy().catch((err: unknown) => log.warn('board: slide deck not closed', err));
    }
    this.tasks.clear();
    this.decks.clear();
    this.pages.clear();
  }

  private deck(deckId: string): Promise<PDFDocumentProxy> {
    let deck = this.decks.get(deckId);
    if (!deck) {
      deck = this.fetchDeck(deckId);
      this.decks.set(deckId, deck);
      deck.catch(() => this.decks.delete(deckId));
    }
    return deck;
  }

  private async fetchDeck(deckId: string): Promise<PDFDocumentProxy> {
    const [lib, authorization] = await Promise.all([loadPdfjs(), authHeader(this.auth)]);
    const res = await fetch(deckUrl(this.auth.roomId, deckId), {
      headers: { Authorization: authorization },
    });
    if (!res.ok) throw new Error(`slide deck ${deckId}: HTTP ${res.status}`);
    const data = new Uint8Array(await res.arrayBuffer());
    // No WebAssembly decoders: the app's CSP has no 'wasm-unsafe-eval' and we ship no wasmUrl.
    // Rare JPEG 2000 images in a deck are then left out; everything else renders.
    const task = lib.getDocument({ data, useWasm: false });
    this.tasks.add(task);
    return task.promise;
  }

  private async render(key: string, slide: SlideRef, width: number): Promise<void> {
    const deck = await this.deck(slide.deckId);
    if (slide.page < 1 || slide.page > deck.numPages) return;
    const page = await deck.getPage(slide.page);
    const natural = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: width / natural.width });
    const image = document.createElement('canvas');
    image.width = Math.ceil(viewport.width);
    image.height = Math.ceil(viewport.height);
    await page.render({ canvas: image, viewport }).promise;
    page.cleanup();
    if (this.closed) return;
    this.pages.delete(key);
    this.pages.set(key, { width, image, size: { w: natural.width, h: natural.height } });
    // Oldest first: a Map iterates in insertion order.
    for (const old of this.pages.keys()) {
      if (this.pages.size <= KEEP) break;
      this.pages.delete(old);
    }
    this.onReady();
  }
}
