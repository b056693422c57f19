export {
  encodeSafetensors,
  decodeSafetensors,
  writeSafetensorsFile,
  readSafetensorsFile,
  type SafeDtype,
  type SafeTensor,
  type SafetensorsFile,
} from './safetensors';
export { matchTensors, readIntoFlat, type ExpectedTensor, type TensorMatch } from './match-tensors';
