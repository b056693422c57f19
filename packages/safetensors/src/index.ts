export {
  encodeSafetensors,
  decodeSafetensors,
  writeSafetensorsFile,
  readSafetensorsFile,
  type SafeDtype,
  type SafeTensor,
  type SafetensorsFile,
} from './safetensors';
