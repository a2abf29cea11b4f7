"""OpenSearch Dashboards content deployed with the analytics pipeline: index template, saved objects."""
