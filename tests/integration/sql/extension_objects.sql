-- Describes every object that belongs to the pg_etl extension, one row per object,
-- so an upgraded install and a fresh one can be compared line by line.
WITH members AS (
  SELECT d.classid, d.objid, d.objsubid
    FROM pg_depend d
    JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
   WHERE e.extname = 'pg_etl' AND d.deptype = 'e'
),
described AS (
  SELECT pg_describe_object(m.classid, m.objid, m.objsubid) AS object,
         CASE m.classid
           WHEN 'pg_proc'::regclass THEN (
             SELECT CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid)
                         ELSE p.prokind::text || ' ' || pg_get_function_identity_arguments(p.oid) END
                    || ' acl=' || coalesce(p.proacl::text, '')
               FROM pg_proc p WHERE p.oid = m.objid)
           WHEN 'pg_class'::regclass THEN (
             SELECT c.relkind::text || ' acl=' || coalesce(c.relacl::text, '') || ' rls=' || c.relrowsecurity
                    || E'\n  columns: ' || coalesce((
                         SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                           || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                                           || coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                                           || coalesce(' -- ' || col_description(c.oid, a.attnum), ''),
                                           ', ' ORDER BY a.attnum)
                           FROM pg_attribute a
                           LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
                    || E'\n  constraints: ' || coalesce((
                         SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname)
                           FROM pg_constraint WHERE conrelid = c.oid), '')
                    || E'\n  indexes: ' || coalesce((
                         SELECT string_agg(pg_get_indexdef(indexrelid), ', ' ORDER BY pg_get_indexdef(indexrelid))
                           FROM pg_index WHERE indrelid = c.oid), '')
                    || E'\n  triggers: ' || coalesce((
                         SELECT string_agg(pg_get_triggerdef(oid), ', ' ORDER BY pg_get_triggerdef(oid))
                           FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal), '')
                    || E'\n  policies: ' || coalesce((
                         SELECT string_agg(polname || ' ' || polcmd::text || ' ' || coalesce(pg_get_expr(polqual, polrelid), ''), ', ' ORDER BY polname)
                           FROM pg_policy WHERE polrelid = c.oid), '')
                    || CASE WHEN c.relkind IN ('v', 'm') THEN E'\n  view: ' || pg_get_viewdef(c.oid) ELSE '' END
               FROM pg_class c WHERE c.oid = m.objid)
           WHEN 'pg_type'::regclass THEN (
             SELECT t.typtype::text || ' ' || format_type(t.oid, NULL) FROM pg_type t WHERE t.oid = m.objid)
           WHEN 'pg_namespace'::regclass THEN (
             SELECT 'acl=' || coalesce(n.nspacl::text, '') FROM pg_namespace n WHERE n.oid = m.objid)
           ELSE ''
         END AS definition,
         coalesce(obj_description(m.objid, (SELECT relname FROM pg_class WHERE oid = m.classid)), '') AS comment
    FROM members m
)
SELECT object || E'\n' || coalesce(definition, '') || E'\n  comment: ' || comment
  FROM described
 UNION ALL
SELECT 'config tables: ' || coalesce(array_to_string(extconfig::regclass[], ','), '')
         || ' conditions: ' || coalesce(array_to_string(extcondition, ','), '')
  FROM pg_extension WHERE extname = 'pg_etl'
 ORDER BY 1;
