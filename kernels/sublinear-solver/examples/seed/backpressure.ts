// src/streaming/backpressure.ts
export class BackpressureController {
  private bufferSize: number;
  private highWaterMark: number;
  private lowWaterMark: number;
  private currentBufferSize = 0;
  private isPaused = false;
  private resumed: Promise<void> = Promise.resolve();
  private resume = () => {};

  constructor(bufferSize = 1000, highWaterMark = 0.8, lowWaterMark = 0.2) {
    this.bufferSize = bufferSize;
    this.highWaterMark = Math.floor(bufferSize * highWaterMark);
    this.lowWaterMark = Math.floor(bufferSize * lowWaterMark);
  }

  shouldPause(): boolean {
    return this.currentBufferSize >= this.highWaterMark;
  }

  shouldResume(): boolean {
    return this.currentBufferSize <= this.lowWaterMark;
  }

  addToBuffer(size: number): void {
    this.currentBufferSize += size;

    if (!this.isPaused && this.shouldPause()) {
      this.isPaused = true;
      this.pauseProducer();
    }
  }

  removeFromBuffer(size: number): void {
    this.currentBufferSize = Math.max(0, this.currentBufferSize - size);

    if (this.isPaused && this.shouldResume()) {
      this.isPaused = false;
      this.resumeProducer();
    }
  }

  private pauseProducer(): void {
    // Signal WASM to pause production
    this.resumed = new Promise((resolve) => { this.resume = resolve; });
  }

  private resumeProducer(): void {
    // Signal WASM to resume production
    this.resume();
  }

  // The package's streams compute a chunk only when asked for the next step: a producer pauses
  // by awaiting this before it asks.
  whenResumed(): Promise<void> {
    return this.resumed;
  }
}
