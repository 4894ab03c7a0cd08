-- Reading server files and reaching the network are privileges.
\set VERBOSITY default
CREATE ROLE etl_reader;
CREATE TABLE t (order_id int);
GRANT INSERT ON t TO etl_reader;
SET ROLE etl_reader;
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv') AS x(order_id int);
SELECT * FROM etl.load('t', '/tmp/pg_etl_regress/orders.csv');
SELECT * FROM etl.list_files('/tmp/pg_etl_regress/*.csv');
SELECT * FROM etl.read_csv('https://example.com/x.csv') AS x(order_id int);
SELECT * FROM etl.read_csv('s3://bucket/x.csv') AS x(order_id int);
RESET ROLE;

-- With pg_read_server_files: local files, but still no network, and no key files.
GRANT pg_read_server_files TO etl_reader;
SET ROLE etl_reader;
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv') AS x(order_id int);
SELECT rows_loaded FROM etl.load('t', '/tmp/pg_etl_regress/orders.csv');
SELECT * FROM etl.read_csv('ftp://127.0.0.1:1/x.csv') AS x(order_id int);
RESET ROLE;

-- With etl_network: the network, but a key file is still a server file.
REVOKE pg_read_server_files FROM etl_reader;
GRANT etl_network TO etl_reader;
SET ROLE etl_reader;
SELECT * FROM etl.read_csv('sftp://127.0.0.1:1/x.csv', '{"private_key": "/etc/ssl/private/key.pem"}') AS x(order_id int);
-- A user sees only their own loads.
SELECT count(*) AS own_loads FROM etl.loads;
RESET ROLE;
SELECT count(*) AS all_loads FROM etl.loads;

-- Secrets given in options or URLs never show in errors or in etl.loads.
SELECT * FROM etl.read_csv('ftp://user:hunter2@127.0.0.1:1/x.csv') AS x(id int);
SELECT * FROM etl.load('t', 'ftp://user:hunter2@127.0.0.1:1/x.csv?token=abc', '{"reject_limit": -1, "password": "hunter2", "headers": {"X-Api-Key": "k"}}');
SELECT rows_loaded FROM etl.load('t', '/tmp/pg_etl_regress/orders.csv', '{"password": "hunter2", "bearer_token": "tok", "headers": {"X-Api-Key": "k"}}');
SELECT options FROM etl.loads WHERE options ? 'password';

DROP TABLE t;
DROP OWNED BY etl_reader;
DROP ROLE etl_reader;
DELETE FROM etl.loads;
