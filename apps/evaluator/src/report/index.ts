export { readTrainingMetrics, type TrainingMetrics } from './training-metrics';
export { startReportRenderer } from './render-svg';
export { writeReport, type ReportInput, type WrittenReport } from './write-report';
