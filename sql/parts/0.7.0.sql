-- ---- 0.7.0: observability and alerts -----------------------------------------------------------
-- Metrics and history, SLAs and anomalies, notifications through a transactional outbox,
-- OpenLineage and column-level lineage, a Prometheus endpoint and a status page.

-- ==== [metrics] run metrics, history retention, Prometheus text, status report ==================

-- ==== [events] channels, subscriptions, the outbox and its deliveries ===========================

-- ==== [slas] SLAs and anomalies ==================================================================

-- ==== [lineage] OpenLineage events, column-level lineage, upstream and downstream ===============

-- ==== [http] the /metrics endpoint and the status page ===========================================
