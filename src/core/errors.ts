/** Base class of every error loyaltylake raises on purpose; the message is meant for the user. */
export class LoyaltyLakeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LoyaltyLakeError';
  }
}

/** An input file that cannot be loaded at all (parse error, missing column, empty). */
export class InputFileError extends LoyaltyLakeError {
  constructor(
    message: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InputFileError';
  }
}

/** A model, its declaration or its output broke the contract, or a data test failed. */
export class ModelError extends LoyaltyLakeError {
  constructor(
    readonly model: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${model}: ${message}`, options);
    this.name = 'ModelError';
  }
}

/** Data the models cannot honestly compute on (e.g. several currencies mixed). */
export class DataError extends LoyaltyLakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataError';
  }
}

/** A bad command-line or configuration value. */
export class ConfigError extends LoyaltyLakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
