-- 0005_realtime: what the real-time service and the REST API read — the exact message a browser receives
-- for each event, and the snapshot facts the event feed needs to deliver events in id order without gaps.
BEGIN;
DO $$ BEGIN PERFORM queue.begin_migration(5, 'realtime'); END $$;

CREATE FUNCTION queue.event_message(e queue.events)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('type', e.type, 'id', e.id)
        || e.payload
        || CASE WHEN e.type = 'notification' THEN jsonb_build_object('timestamp', e.created_at) ELSE '{}'::jsonb END
$$;
COMMENT ON FUNCTION queue.event_message(queue.events) IS
    'The WebSocket message for an event, as sent: agent_update {type, id, task_id, kind, status, progress, current_step, data} or notification {type, id, notification_type, title, message, data, timestamp}. Example: SELECT queue.event_message(e) FROM queue.events e ORDER BY id DESC LIMIT 5;';

CREATE FUNCTION queue.in_progress_xids()
RETURNS xid8[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(x), '{}') FROM pg_snapshot_xip(pg_current_snapshot()) AS x
$$;
COMMENT ON FUNCTION queue.in_progress_xids() IS
    'Transactions in progress now. The event feed calls it when it sees a hole in event ids (an id handed out to a transaction that has not committed yet) and waits for them to end before moving past the hole.';

CREATE FUNCTION queue.any_in_progress(xids xid8[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM unnest(xids) AS x WHERE pg_xact_status(x) = 'in progress')
$$;
COMMENT ON FUNCTION queue.any_in_progress(xid8[]) IS 'Whether any of xids is still running (see queue.in_progress_xids).';

COMMIT;
