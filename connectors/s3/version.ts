/** The version the S3 sink connector and its tasks report. */
export const S3_CONNECTOR_VERSION = '0.1.0';
