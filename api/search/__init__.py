"""The search consumer: dataplane stream records -> documents in an OpenSearch index."""
