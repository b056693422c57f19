export { calibration, CalibrationConfigSchema, evaluateCalibration, fitTemperature, type CalibrationConfig, type ReliabilityBin } from './calibration.plugin';
export { register } from './register';
