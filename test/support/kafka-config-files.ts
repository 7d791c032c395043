/**
 * Apache Kafka's own config files, verbatim, for tests that prove they load unchanged.
 */
const LICENSE = `# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements.  See the NOTICE file distributed with
# this work for additional information regarding copyright ownership.
#
#    http://www.apache.org/licenses/LICENSE-2.0
#
`;

/** Apache Kafka's config/connect-standalone.properties (3.x), plus the plugin.path line its quickstart appends. */
export function connectStandaloneProperties(pluginPath = 'libs/connect-file-3.9.0.jar'): string {
  return `${LICENSE}
# These are defaults. This file just demonstrates how to override some settings.
bootstrap.servers=localhost:9092

# The converters specify the format of data in Kafka and how to translate it into Connect data. Every Connect user will
# need to configure these based on the format they want their data in when loaded from or stored into Kafka
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
# Converter-specific settings can be passed in by prefixing the Converter's setting with the converter we want to apply
# it to
key.converter.schemas.enable=true
value.converter.schemas.enable=true

offset.storage.file.filename=/tmp/connect.offsets
# Flush much faster than normal, which is useful for testing/debugging
offset.flush.interval.ms=10000

# Set to a list of filesystem paths separated by commas (,) to enable class loading isolation for plugins
# (connectors, converters, transformations). The list should consist of top level directories that include 
# any combination of: 
# a) directories immediately containing jars with plugins and their dependencies
# Note: symlinks will be followed to discover dependencies or plugins.
# Examples: 
# plugin.path=/usr/local/share/java,/usr/local/share/kafka/plugins,/opt/connectors,
#plugin.path=
plugin.path=${pluginPath}
`;
}

// Apache Kafka's config/connect-file-source.properties (no newline at the end, as in Kafka).
export const CONNECT_FILE_SOURCE_PROPERTIES = `${LICENSE}
name=local-file-source
connector.class=FileStreamSource
tasks.max=1
file=test.txt
topic=connect-test`;

/** The 1-based line number of the first line of `text` starting with `prefix`. */
export function lineOf(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(prefix));
  if (i < 0) throw new Error(`no line starts with ${prefix}`);
  return i + 1;
}
