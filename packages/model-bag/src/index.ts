export * from './bag-of-embeddings.plugin';
export * from './bag-features';
export * from './register';
