export const PG_CDC_VERSION = '0.1.0';
