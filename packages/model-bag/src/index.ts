export { bagOfEmbeddings, BagConfigSchema, type BagConfig } from './bag-of-embeddings.plugin';
export { register } from './register';
