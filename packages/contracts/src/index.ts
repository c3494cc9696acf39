export * from './envelope.ts';
export * from './error-codes.ts';
export * from './topics.ts';
export * from './vocabulary.ts';
