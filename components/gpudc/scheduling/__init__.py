"""Scheduling: Kueue once per cluster, its queues, quotas, priorities and the rack topology."""
