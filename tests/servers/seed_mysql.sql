-- Seed data of the MariaDB test server (tests/servers/servers.sh applies it to etl_src at
-- every start, as the etl user). Idempotent: drops and recreates its tables.
-- The same logical data as seed_pgsrc.sql: the same ids, numbers and tricky strings, so
-- tests compare what the MySQL and the PostgreSQL readers bring back.
--
-- types_demo columns shared with seed_pgsrc.sql (MySQL type | PostgreSQL type):
--   c_smallint SMALLINT | smallint     c_int INT | int          c_bigint BIGINT | bigint
--   c_decimal DECIMAL(12,2) | numeric(12,2)   c_float FLOAT | real   c_double DOUBLE | double precision
--   c_bool BOOLEAN (TINYINT(1)) | boolean     c_char CHAR(5) | char(5)
--   c_varchar VARCHAR(100) | varchar(100)     c_text TEXT | text      c_date DATE | date
--   c_datetime DATETIME(6) | timestamp(6)     c_timestamptz TIMESTAMP(6) | timestamptz
--   c_time TIME | time    c_json JSON | json    c_bytes BLOB | bytea
-- MySQL only: c_tinyint TINYINT, c_ubigint BIGINT UNSIGNED, c_year YEAR, c_enum ENUM,
--   c_varbinary VARBINARY(16), c_bit BIT(8).
-- Rows: 1 typical, 2 extremes, 3 tricky text, 4 all NULL but id, 5 empty and zero
-- (MySQL's zero dates here; NULL in PostgreSQL, which has none).
SET NAMES utf8mb4;
SET time_zone = '+00:00';
-- zero dates ('0000-00-00') need a permissive mode
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';

DROP TABLE IF EXISTS types_demo;
CREATE TABLE types_demo (
  id INT NOT NULL PRIMARY KEY,
  c_tinyint TINYINT,
  c_bool BOOLEAN,
  c_smallint SMALLINT,
  c_int INT,
  c_bigint BIGINT,
  c_ubigint BIGINT UNSIGNED,
  c_decimal DECIMAL(12,2),
  c_float FLOAT,
  c_double DOUBLE,
  c_char CHAR(5),
  c_varchar VARCHAR(100),
  c_text TEXT,
  c_date DATE,
  c_datetime DATETIME(6),
  c_timestamptz TIMESTAMP(6) NULL DEFAULT NULL,
  c_time TIME,
  c_year YEAR,
  c_json JSON,
  c_enum ENUM('small', 'medium', 'large'),
  c_bytes BLOB,
  c_varbinary VARBINARY(16),
  c_bit BIT(8)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO types_demo VALUES
  -- 1: typical values
  (1, 7, TRUE, 12345, 1234567890, 1234567890123, 42, 1234.50, 1.5, 3.141592653589793,
   'ab', 'plain', 'hello world', '2024-05-17', '2024-05-17 13:45:30.123456',
   '2024-05-17 13:45:30.123456', '13:45:30', 2024, '{"a": 1, "b": [true, null]}', 'medium',
   'hello', X'0102', b'00000101'),
  -- 2: extremes of each type's range
  (2, -128, FALSE, -32768, -2147483648, -9223372036854775808, 18446744073709551615,
   -9999999999.99, 0.1, 1.7976931348623157e308,
   'abcde', 'z', 'x', '1000-01-01', '1000-01-01 00:00:00', '1970-01-01 00:00:01',
   '00:00:00', 1901, '[]', 'small',
   X'00FF00', X'00', b'11111111'),
  -- 3: text that needs quoting or escaping, and non-ASCII
  (3, 0, TRUE, 1, 2, 3, 4, 0.01, -2.5, -0.000123,
   'é日', 'quote " comma , apostrophe '' backslash \\ newline\nend',
   'é 日本 😀', '2000-02-29', '2000-02-29 23:59:59.999999', '2038-01-19 03:14:07.999999',
   '23:59:59', 2155, '{"s": "é \\"q\\" \\\\ 日本"}', 'large',
   X'5C78303027', X'FF', b'10100101'),
  -- 4: every column NULL but id
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  -- 5: empty strings (not NULL), zeros, MySQL zero dates, JSON null, an empty BLOB
  (5, 0, FALSE, 0, 0, 0, 0, 0.00, 0, 0,
   '', '', '', '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
   '00:00:00', 0, 'null', 'small',
   '', '', b'00000000');

-- 1000 tickets whose updated_at is shared by runs of 1, 2, 3, 4 consecutive ids
-- (non-decreasing with id), for incremental-cursor tests. Group g of id: 4 groups per 10
-- ids; updated_at = 2024-01-01 + g minutes + 7g microseconds; amount NULL every 100th.
-- (999 recursion steps: both MariaDB's max_recursive_iterations and MySQL 8's
-- cte_max_recursion_depth default to 1000, and MariaDB stops silently at the limit.)
DROP TABLE IF EXISTS tickets;
CREATE TABLE tickets (
  id BIGINT NOT NULL PRIMARY KEY,
  subject TEXT,
  updated_at DATETIME(6) NOT NULL,
  amount DECIMAL(12,2)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO tickets (id, subject, updated_at, amount)
SELECT id, CONCAT('Ticket ', id),
       TIMESTAMP '2024-01-01 00:00:00' + INTERVAL grp MINUTE + INTERVAL grp * 7 MICROSECOND,
       CASE WHEN id % 100 = 0 THEN NULL ELSE (id * 37 % 10000) / 100 END
FROM (
  WITH RECURSIVE s(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM s WHERE id < 1000)
  SELECT id, ((id - 1) DIV 10) * 4 + CASE WHEN (id - 1) % 10 < 1 THEN 0
                                           WHEN (id - 1) % 10 < 3 THEN 1
                                           WHEN (id - 1) % 10 < 6 THEN 2
                                           ELSE 3 END AS grp
  FROM s
) AS numbered;
