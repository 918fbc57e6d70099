// src/streaming/progress.ts
import type { SolutionStep } from 'sublinear-time-solver';

export interface ProgressInfo {
  percentage: number;
  estimatedTimeRemaining: number;
  currentIteration: number;
  totalIterations: number;
  residual: number;
  convergenceRate: number;
}

export class ProgressTracker {
  private startTime: number = 0;
  private iterations: number[] = [];
  private residuals: number[] = [];
  private maxHistory = 100;

  startTracking(): void {
    this.startTime = Date.now();
    this.iterations = [];
    this.residuals = [];
  }

  updateProgress(step: SolutionStep): ProgressInfo {
    this.iterations.push(step.iteration);
    this.residuals.push(step.residual);

    // Keep only recent history
    if (this.iterations.length > this.maxHistory) {
      this.iterations.shift();
      this.residuals.shift();
    }

    const currentTime = Date.now();
    const elapsedTime = currentTime - this.startTime;

    // Estimate convergence rate
    const convergenceRate = this.estimateConvergenceRate();

    // Estimate total iterations needed
    const estimatedTotalIterations = this.estimateTotalIterations(
      step.residual,
      convergenceRate
    );

    // Calculate progress percentage
    const percentage = Math.min(
      100,
      (step.iteration / estimatedTotalIterations) * 100
    );

    // Estimate time remaining
    const iterationsPerMs = step.iteration / elapsedTime;
    const remainingIterations = Math.max(0, estimatedTotalIterations - step.iteration);
    const estimatedTimeRemaining = remainingIterations / iterationsPerMs;

    return {
      percentage,
      estimatedTimeRemaining,
      currentIteration: step.iteration,
      totalIterations: estimatedTotalIterations,
      residual: step.residual,
      convergenceRate,
    };
  }

  private estimateConvergenceRate(): number {
    if (this.residuals.length < 2) return 0;

    const recent = this.residuals.slice(-10);
    if (recent.length < 2) return 0;

    // Calculate average reduction rate
    let totalRate = 0;
    for (let i = 1; i < recent.length; i++) {
      if (recent[i-1] > 0) {
        totalRate += recent[i] / recent[i-1];
      }
    }

    return totalRate / (recent.length - 1);
  }

  private estimateTotalIterations(currentResidual: number, convergenceRate: number): number {
    if (convergenceRate >= 1 || convergenceRate <= 0) {
      return this.iterations[this.iterations.length - 1] * 2; // Conservative estimate
    }

    const targetResidual = 1e-10; // Target convergence
    const iterationsNeeded = Math.log(targetResidual / currentResidual) / Math.log(convergenceRate);

    return Math.max(
      this.iterations[this.iterations.length - 1],
      this.iterations[this.iterations.length - 1] + iterationsNeeded
    );
  }
}
