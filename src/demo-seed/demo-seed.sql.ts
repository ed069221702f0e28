import { taskTitlesSql, titleInSql } from '../tasks/task-titles';

/**
 * The demo dealer group as bulk INSERT … SELECT generate_series statements, run in order in ONE
 * transaction after `SELECT setseed(…)`, so random() draws the same sequence on every run and ids are
 * name-based: the same database content each time. The context table demo_ctx (one row: now, rooftop
 * and staff ids) and the subjects table demo_subject are filled by the caller. Nothing here loads rows
 * into Node.
 */

/** Namespace of the demo's name-based ids (a fixed random UUID). */
export const DEMO_UUID_NAMESPACE = '07a30c47-e8ee-4763-a9cd-eeed6b1f9035';

/**
 * `pg_temp.demo_uuid(name)`: the RFC 9562 version 3 (name-based, MD5) UUID of `name` in the demo namespace —
 * md5(namespace bytes || UTF-8 name) with the version nibble set to 3 and the variant bits to 10. Stable
 * across runs (the seed is reproducible) and accepted by every UUID validator, unlike a bare md5()::uuid,
 * whose version and variant bits are whatever the hash gives (the API refused most of those ids). Version 3
 * rather than 5 because PostgreSQL has no built-in SHA-1; any uuid library gives the same value
 * (e.g. uuidv3('demo-customer-1', DEMO_UUID_NAMESPACE)). Created and dropped inside the seed's transaction.
 */
export const CREATE_DEMO_UUID_FUNCTION = `
  CREATE FUNCTION pg_temp.demo_uuid(name text) RETURNS uuid LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT encode(set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 48), 8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid
      FROM (SELECT decode(md5(uuid_send('${DEMO_UUID_NAMESPACE}'::uuid) || convert_to(name, 'UTF8')), 'hex') AS h) AS hashed
  $$`;
export const DROP_DEMO_UUID_FUNCTION = `DROP FUNCTION pg_temp.demo_uuid(text)`;

/**
 * The kinds of the demo's sent messages. Their subjects (table demo_subject, one per kind × language × rooftop)
 * are rendered by the real templates; none of these subjects names the customer.
 */
export const DEMO_MESSAGE_KINDS = ['service_reminder', 'sale_thank_you', 'win_back'] as const;

const VEHICLE_NAME = `concat_ws(' ', v.year, v.make, v.model)`;
const TERM_END = `to_char(v.term_end_date, 'YYYY-MM-DD')`;

export const DEMO_SEED_STEPS: { name: string; sql: string }[] = [
  {
    name: 'customers',
    sql: `
    INSERT INTO customer (id, home_rooftop_id, external_id, first_name, last_name, email, phone, language, assigned_salesperson_id, birthday, created_at)
    SELECT pg_temp.demo_uuid('demo-customer-' || g), s.rooftop,
           'DEMO-' || lpad(g::text, 6, '0'),
           CASE WHEN s.pp THEN (ARRAY['Sokha','Dara','Vanna','Sophea','Chenda','Rithy','Bopha','Kosal','Sreymom','Vibol','Channary','Piseth'])[1 + floor(random() * 12)::int]
                ELSE (ARRAY['Somchai','Keo','Noy','Bounmy','Phonsavanh','Souk','Vilay','Khamla','Manivone','Thongdeng','Latsamy','Anousone'])[1 + floor(random() * 12)::int] END,
           CASE WHEN s.pp THEN (ARRAY['Chan','Sok','Kim','Heng','Meas','Prak','Keo','Ly','Chea','Nuon'])[1 + floor(random() * 10)::int]
                ELSE (ARRAY['Phommachanh','Sisouk','Vongsa','Keomany','Inthavong','Sengdara','Chanthavong','Luangrath'])[1 + floor(random() * 8)::int] END,
           'customer' || g || '@demo.example',
           CASE WHEN s.pp THEN '+85512' || lpad((100000 + g)::text, 6, '0') ELSE '+8562055' || lpad((100000 + g)::text, 6, '0') END,
           CASE WHEN random() < 0.6 THEN CASE WHEN s.pp THEN 'km' ELSE 'lo' END ELSE 'en' END,
           CASE WHEN s.pp THEN x.pp_sales[1 + (g % cardinality(x.pp_sales))] ELSE x.vte_sales[1 + (g % cardinality(x.vte_sales))] END,
           CASE WHEN random() < 0.7 THEN DATE '1960-01-01' + floor(random() * 14000)::int END,
           x.now - interval '3 years 1 month'
      FROM demo_ctx x
      CROSS JOIN generate_series(1, x.customers) g
      CROSS JOIN LATERAL (SELECT g % 5 < 3 AS pp, CASE WHEN g % 5 < 3 THEN x.pp ELSE x.vte END AS rooftop) s`,
  },
  {
    name: 'marketing consents',
    sql: `
    INSERT INTO consent (customer_id, purpose, channel, granted, at, source, wording)
    SELECT c.id, 'marketing', 'email', true, c.created_at, 'demo seed', 'Yes, send me offers and news by email'
      FROM customer c WHERE c.external_id LIKE 'DEMO-%' AND random() < 0.4`,
  },
  {
    name: 'vehicles',
    sql: `
    INSERT INTO vehicle (id, rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date, purchase_type, purchase_odometer,
                         sold_by_id, selling_rooftop_id, term_end_date, warranty_end_date, warranty_end_distance, status, created_at)
    SELECT v.id, v.rooftop, v.vin, split_part(v.mm, '|', 1), split_part(v.mm, '|', 2),
           CASE WHEN v.ptype = 'used' THEN extract(year FROM v.pd)::int - 3 ELSE extract(year FROM v.pd)::int END,
           CASE WHEN v.mm LIKE 'BYD%' THEN 'ev' WHEN v.mm LIKE 'Lexus%' OR v.mm LIKE '%Cross' THEN 'hybrid' ELSE 'ice' END,
           v.owner, v.pd, v.ptype, CASE WHEN v.ptype = 'used' THEN 30000 + floor(random() * 40000)::int ELSE 10 END,
           v.seller, v.rooftop,
           CASE WHEN v.ptype IN ('lease', 'finance') THEN (v.pd + interval '36 months')::date END,
           (v.pd + CASE WHEN v.ptype = 'used' THEN interval '1 year' ELSE interval '3 years' END)::date, 100000, 'active', v.pd
      FROM (
        SELECT pg_temp.demo_uuid('demo-vehicle-' || c.external_id || '-' || k) AS id, c.home_rooftop_id AS rooftop, c.id AS owner,
               c.assigned_salesperson_id AS seller,
               'MR0DEMV' || lpad((c.n * 2 + k)::text, 10, '0') AS vin,
               (ARRAY['Toyota|Vios','Toyota|Fortuner','Toyota|Hilux','Toyota|Corolla Cross','Lexus|RX','Hyundai|Tucson','Ford|Ranger',
                      'Kia|Sportage','BYD|Atto 3','Honda|CR-V','Mitsubishi|Xpander'])[1 + floor(random() * 11)::int] AS mm,
               (ARRAY['new','new','new','new','new','used','used','lease','lease','finance','finance','finance','cash'])[1 + floor(random() * 13)::int] AS ptype,
               (x.now AT TIME ZONE 'UTC')::date - 1 - floor(random() * 1095)::int AS pd
          FROM demo_ctx x
          JOIN (SELECT id, external_id, home_rooftop_id, assigned_salesperson_id, row_number() OVER (ORDER BY external_id) AS n
                  FROM customer WHERE external_id LIKE 'DEMO-%') c ON true
          CROSS JOIN LATERAL generate_series(1, CASE WHEN c.n % 5 = 0 THEN 2 ELSE 1 END) k
      ) v`,
  },
  {
    name: 'ownership history',
    sql: `
    INSERT INTO vehicle_ownership (vehicle_id, customer_id, started_at, reason)
    SELECT v.id, v.owner_id, v.purchase_date::timestamp AT TIME ZONE 'UTC', 'purchase'
      FROM vehicle v WHERE v.vin LIKE 'MR0DEMV%'`,
  },
  {
    // Each vehicle is due for service every ~6 months after purchase ("slots"); a loyal vehicle shows up
    // for 85 % of them, a lapsing one for 25 %. A reminder goes out ~14 days before every slot.
    name: 'service slots',
    sql: `
    CREATE TEMP TABLE demo_slot ON COMMIT DROP AS
    SELECT v.id AS vehicle_id, v.owner_id, v.rooftop_id, v.powertrain, v.purchase_date, v.purchase_odometer, v.warranty_end_date, i,
           (v.purchase_date + i * 182)::timestamp AT TIME ZONE 'UTC' + interval '9 hours' AS slot_at,
           random() < CASE WHEN l.loyal THEN 0.85 ELSE 0.25 END AS visited,
           floor(random() * 30)::int - 10 AS jitter_days,
           floor(random() * 480)::int AS jitter_minutes
      FROM vehicle v
      CROSS JOIN demo_ctx x
      CROSS JOIN LATERAL (SELECT random() < 0.65 AS loyal, v.id AS vid) l
      CROSS JOIN LATERAL generate_series(1, ((x.now AT TIME ZONE 'UTC')::date - v.purchase_date) / 182) i
     WHERE v.vin LIKE 'MR0DEMV%'`,
  },
  {
    name: 'service visits',
    sql: `
    INSERT INTO service_visit (id, rooftop_id, vehicle_id, customer_id, advisor_id, ro_number, visit_date, odometer, status, closed_at, created_at)
    SELECT pg_temp.demo_uuid('demo-visit-' || s.vehicle_id || '-' || s.i), s.rooftop_id, s.vehicle_id, s.owner_id,
           CASE WHEN s.rooftop_id = x.pp THEN x.pp_adv[1 + floor(random() * cardinality(x.pp_adv))::int]
                ELSE x.vte_adv[1 + floor(random() * cardinality(x.vte_adv))::int] END,
           'D' || lpad((row_number() OVER (ORDER BY s.slot_at, s.vehicle_id))::text, 7, '0'),
           s.visit_at, s.purchase_odometer + ((s.visit_at::date - s.purchase_date) * (25 + floor(random() * 30)))::int,
           'closed', s.visit_at + interval '3 hours', s.visit_at
      FROM (SELECT *, slot_at + make_interval(days => jitter_days, mins => jitter_minutes) AS visit_at FROM demo_slot WHERE visited) s
      CROSS JOIN demo_ctx x
     WHERE s.visit_at < x.now - interval '4 hours'`,
  },
  {
    name: 'visit lines',
    sql: `
    INSERT INTO service_visit_line (service_visit_id, position, kind, item_code, description, labour_amount, parts_amount, pay_type, estimate_amount)
    SELECT l.visit_id, row_number() OVER (PARTITION BY l.visit_id ORDER BY l.ord), l.kind, l.item_code, l.description,
           l.labour, l.parts, l.pay_type, l.estimate
      FROM (
        SELECT sv.id AS visit_id, it.ord, it.kind, it.item_code, it.description, it.labour, it.parts,
               CASE WHEN it.kind = 'declined' THEN NULL
                    WHEN sv.visit_date::date <= v.warranty_end_date AND it.item_code IN ('BRAKE_INSPECTION','EV_BATTERY_CHECK') THEN 'warranty'
                    WHEN it.description = 'Multi-point inspection' THEN 'internal'
                    ELSE 'customer' END AS pay_type,
               it.estimate, it.keep
          FROM service_visit sv
          JOIN vehicle v ON v.id = sv.vehicle_id
          CROSS JOIN LATERAL (VALUES
            (1, 'performed', 'OIL_CHANGE', 'Oil and filter change', 15.00, round((25 + random() * 20)::numeric, 2), NULL::numeric, v.powertrain <> 'ev'),
            (2, 'performed', 'TIRE_ROTATION', 'Tire rotation', 10.00, 0.00, NULL, random() < 0.6),
            (3, 'performed', 'BRAKE_INSPECTION', 'Brake inspection', 12.00, 0.00, NULL, random() < 0.35),
            (4, 'performed', 'EV_BATTERY_CHECK', 'EV battery health check', 20.00, 0.00, NULL, v.powertrain = 'ev'),
            (5, 'performed', 'CABIN_AIR_FILTER', 'Cabin air filter', 8.00, round((12 + random() * 8)::numeric, 2), NULL, random() < 0.25),
            (6, 'performed', NULL, 'Multi-point inspection', 5.00, 0.00, NULL, random() < 0.3),
            (7, 'declined', 'BRAKE_FLUID', 'Brake fluid replacement', NULL, NULL, 45.00, random() < 0.15),
            (8, 'declined', 'ENGINE_AIR_FILTER', 'Engine air filter', NULL, NULL, 30.00, random() < 0.1)
          ) AS it(ord, kind, item_code, description, labour, parts, estimate, keep)
         WHERE sv.ro_number LIKE 'D%' AND sv.rooftop_id IN (SELECT pp FROM demo_ctx UNION ALL SELECT vte FROM demo_ctx)
      ) l
     WHERE l.keep`,
  },
  {
    name: 'visit totals',
    sql: `
    UPDATE service_visit sv
       SET customer_pay_amount = t.cp, warranty_amount = t.wa, internal_amount = t.ia
      FROM (SELECT service_visit_id,
                   COALESCE(sum(labour_amount + parts_amount) FILTER (WHERE pay_type = 'customer'), 0) AS cp,
                   COALESCE(sum(labour_amount + parts_amount) FILTER (WHERE pay_type = 'warranty'), 0) AS wa,
                   COALESCE(sum(labour_amount + parts_amount) FILTER (WHERE pay_type = 'internal'), 0) AS ia
              FROM service_visit_line WHERE kind = 'performed' GROUP BY service_visit_id) t
     WHERE t.service_visit_id = sv.id`,
  },
  {
    name: 'maintenance performed and odometer readings',
    sql: `
    WITH performed AS (
      INSERT INTO maintenance_performed (vehicle_id, item_code, performed_at, odometer, service_visit_id)
      SELECT sv.vehicle_id, l.item_code, sv.visit_date, sv.odometer, sv.id
        FROM service_visit sv JOIN service_visit_line l ON l.service_visit_id = sv.id
       WHERE l.kind = 'performed' AND l.item_code IS NOT NULL AND sv.ro_number LIKE 'D%'
      RETURNING 1
    )
    INSERT INTO odometer_reading (vehicle_id, value, read_at, source)
    SELECT sv.vehicle_id, sv.odometer, sv.visit_date, 'service_visit' FROM service_visit sv WHERE sv.ro_number LIKE 'D%'`,
  },
  {
    // Overdue oil changes (stage ledger) for vehicles whose last oil change — or purchase — is over 7 months old.
    name: 'overdue reminder stages',
    sql: `
    INSERT INTO service_reminder_stage (vehicle_id, item_code, cycle_key, stage, status, customer_id, due_date, as_of)
    SELECT v.id, 'OIL_CHANGE',
           COALESCE(to_char(lp.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'purchase'), 'overdue', 'planned', v.owner_id,
           (COALESCE((lp.performed_at AT TIME ZONE 'UTC')::date, v.purchase_date) + interval '6 months')::date, x.now - interval '1 day'
      FROM vehicle v
      CROSS JOIN demo_ctx x
      LEFT JOIN LATERAL (SELECT mp.performed_at FROM maintenance_performed mp
                          WHERE mp.vehicle_id = v.id AND mp.item_code = 'OIL_CHANGE' ORDER BY mp.performed_at DESC LIMIT 1) lp ON true
     WHERE v.vin LIKE 'MR0DEMV%' AND v.powertrain <> 'ev'
       AND COALESCE(lp.performed_at, v.purchase_date::timestamp AT TIME ZONE 'UTC') < x.now - interval '7 months'`,
  },
  {
    // Subjects come from demo_subject: the real templates rendered in the customer's language.
    name: 'messages sent',
    sql: `
    INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, payload, status, scheduled_at, next_attempt_at,
                                attempts, to_address, language, subject, sent_at, created_at)
    SELECT m.key, m.rooftop_id, m.customer_id, m.vehicle_id, m.kind, m.purpose, '{"demo": true}'::jsonb, 'sent', m.at, m.at,
           1, c.email, c.language, ds.subject, m.at, m.at
      FROM (
        SELECT 'demo:service_reminder:' || s.vehicle_id || ':' || s.i AS key, s.rooftop_id, s.owner_id AS customer_id, s.vehicle_id,
               'service_reminder' AS kind, 'service_reminders' AS purpose,
               s.slot_at - interval '14 days' + make_interval(mins => s.jitter_minutes) AS at
          FROM demo_slot s
        UNION ALL
        SELECT 'demo:sale_thank_you:' || v.id, v.rooftop_id, v.owner_id, v.id, 'sale_thank_you', 'follow_ups',
               v.purchase_date::timestamp AT TIME ZONE 'UTC' + interval '1 day 3 hours'
          FROM vehicle v WHERE v.vin LIKE 'MR0DEMV%'
        UNION ALL
        SELECT 'demo:win_back:' || c.id, c.home_rooftop_id, c.id, NULL, 'win_back', 'marketing',
               x.now - make_interval(days => 5 + floor(random() * 200)::int)
          FROM customer c CROSS JOIN demo_ctx x
         WHERE c.external_id LIKE 'DEMO-%' AND random() < 0.15
      ) m
      JOIN customer c ON c.id = m.customer_id
      JOIN demo_subject ds ON ds.kind = m.kind AND ds.language = c.language AND ds.rooftop_id = m.rooftop_id
      CROSS JOIN demo_ctx x
     WHERE m.at < x.now`,
  },
  {
    name: 'surveys',
    sql: `
    INSERT INTO survey (kind, rooftop_id, customer_id, vehicle_id, service_visit_id, salesperson_id, advisor_id, dedupe_key, language,
                        issued_at, expires_at, answered_at, nps, csat)
    SELECT s.kind, s.rooftop_id, s.customer_id, s.vehicle_id, s.visit_id, s.salesperson_id, s.advisor_id, s.key, c.language,
           s.issued_at, s.issued_at + interval '30 days',
           CASE WHEN s.answered THEN s.issued_at + make_interval(hours => 2 + floor(random() * 96)::int) END,
           CASE WHEN s.answered THEN s.nps END,
           CASE WHEN s.answered THEN CASE WHEN s.nps >= 9 THEN 4 + floor(random() * 2)::int
                                          WHEN s.nps >= 7 THEN 3 + floor(random() * 2)::int
                                          ELSE 1 + floor(random() * 3)::int END END
      FROM (
        SELECT 'sale' AS kind, v.rooftop_id, v.owner_id AS customer_id, v.id AS vehicle_id, NULL::uuid AS visit_id, v.sold_by_id AS salesperson_id,
               NULL::uuid AS advisor_id, 'demo:sale-survey:' || v.id AS key,
               v.purchase_date::timestamp AT TIME ZONE 'UTC' + interval '7 days 3 hours' AS issued_at, random() < 0.55 AS answered,
               (ARRAY[10,10,10,9,9,9,9,8,8,7,6,5,3])[1 + floor(random() * 13)::int] AS nps
          FROM vehicle v WHERE v.vin LIKE 'MR0DEMV%'
        UNION ALL
        SELECT 'service', sv.rooftop_id, sv.customer_id, sv.vehicle_id, sv.id, NULL, sv.advisor_id, 'demo:service-survey:' || sv.id,
               sv.visit_date + interval '2 days', random() < 0.4,
               (ARRAY[10,10,9,9,9,8,8,7,7,6,5,4,2])[1 + floor(random() * 13)::int]
          FROM service_visit sv WHERE sv.ro_number LIKE 'D%'
      ) s
      JOIN customer c ON c.id = s.customer_id
      CROSS JOIN demo_ctx x
     WHERE s.issued_at < x.now AND (NOT s.answered OR s.issued_at + interval '4 days 2 hours' < x.now)`,
  },
  {
    // A detractor (NPS 0–6) or CSAT 1–2 opens a complaint; older ones were handled, recent ones are still open.
    name: 'complaints',
    sql: `
    INSERT INTO complaint_case (rooftop_id, customer_id, survey_id, source, severity, summary, owner_id, state, opened_at,
                                first_response_due_at, resolution_due_at, acknowledged_at, resolved_at, closed_at, resolution,
                                apology_sent, breached_first_response, breached_resolution)
    SELECT k.rooftop_id, k.customer_id, k.survey_id, 'survey', k.severity, k.summary, k.owner_id,
           CASE WHEN k.closed_at IS NOT NULL THEN 'closed' WHEN k.resolved_at IS NOT NULL THEN 'resolved'
                WHEN k.ack_at IS NOT NULL THEN 'acknowledged' ELSE 'open' END,
           k.opened_at, k.opened_at + interval '24 hours', k.opened_at + interval '7 days',
           k.ack_at, k.resolved_at, k.closed_at, CASE WHEN k.resolved_at IS NOT NULL THEN 'Called the customer, apologised and fixed the issue' END,
           k.resolved_at IS NOT NULL,
           COALESCE(k.ack_at, k.now) > k.opened_at + interval '24 hours',
           COALESCE(k.resolved_at, k.now) > k.opened_at + interval '7 days'
      FROM (
        SELECT r.*,
               CASE WHEN r.resolved_at < r.now - interval '7 days' THEN r.resolved_at + interval '7 days' END AS closed_at
          FROM (
            SELECT q.*, CASE WHEN q.ack_at IS NOT NULL AND q.ack_at + q.fix < q.now THEN q.ack_at + q.fix END AS resolved_at
              FROM (
                SELECT s.rooftop_id, s.customer_id, s.id AS survey_id, x.now,
                       CASE WHEN s.nps <= 3 OR s.csat = 1 THEN 'high' ELSE 'medium' END AS severity,
                       'Survey answer: NPS ' || s.nps || ', CSAT ' || s.csat AS summary,
                       CASE WHEN s.rooftop_id = x.pp THEN x.pp_mgr ELSE x.vte_mgr END AS owner_id,
                       s.answered_at AS opened_at,
                       CASE WHEN s.answered_at + make_interval(hours => h.hours) < x.now THEN s.answered_at + make_interval(hours => h.hours) END AS ack_at,
                       make_interval(days => 1 + floor(random() * 9)::int) AS fix
                  FROM survey s
                  CROSS JOIN demo_ctx x
                  CROSS JOIN LATERAL (SELECT 1 + floor(random() * 40)::int AS hours, s.id AS sid) h
                 WHERE s.dedupe_key LIKE 'demo:%' AND s.answered_at IS NOT NULL AND (s.nps <= 6 OR s.csat <= 2)
              ) q
          ) r
      ) k`,
  },
  {
    // Loyalty: 500 points per purchase, 1 per currency unit of customer pay, 100 per answered survey; a third of
    // the members redeemed some. Entries are inserted in ledger order so the chain trigger accepts them.
    name: 'loyalty accounts',
    sql: `
    CREATE TEMP TABLE demo_earn ON COMMIT DROP AS
    SELECT e.customer_id, e.points, e.source, e.source_id, e.occurred_at, e.rooftop_id, e.reason
      FROM (
        SELECT v.owner_id AS customer_id, 500 AS points, 'sale' AS source, v.id::text AS source_id,
               v.purchase_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours' AS occurred_at, v.rooftop_id, 'Vehicle purchase' AS reason
          FROM vehicle v WHERE v.vin LIKE 'MR0DEMV%'
        UNION ALL
        SELECT sv.customer_id, floor(sv.customer_pay_amount)::int, 'visit', sv.id::text, sv.closed_at, sv.rooftop_id, 'Service visit ' || sv.ro_number
          FROM service_visit sv WHERE sv.ro_number LIKE 'D%' AND sv.customer_pay_amount >= 1
        UNION ALL
        SELECT s.customer_id, 100, 'survey', s.id::text, s.answered_at, s.rooftop_id, 'Survey answered'
          FROM survey s WHERE s.dedupe_key LIKE 'demo:%' AND s.answered_at IS NOT NULL
      ) e;
    CREATE TEMP TABLE demo_redeem ON COMMIT DROP AS
    SELECT t.customer_id, (least(t.total / 2, 300 + floor(random() * 5) * 100))::int AS points,
           x.now - make_interval(days => 1 + floor(random() * 330)::int) AS occurred_at
      FROM (SELECT customer_id, sum(points)::int AS total FROM demo_earn GROUP BY customer_id) t
      CROSS JOIN demo_ctx x
     WHERE t.total >= 600 AND random() < 0.35;
    INSERT INTO loyalty_account (customer_id, balance, lifetime_earned, tier, tier_changed_at)
    SELECT t.customer_id, t.total - COALESCE(r.points, 0), t.total,
           CASE WHEN t.recent >= 6000 THEN 'platinum' WHEN t.recent >= 3000 THEN 'gold' WHEN t.recent >= 1000 THEN 'silver' ELSE 'bronze' END,
           CASE WHEN t.recent >= 1000 THEN x.now - interval '30 days' END
      FROM (SELECT e.customer_id, sum(e.points)::int AS total,
                   COALESCE(sum(e.points) FILTER (WHERE e.occurred_at > x.now - interval '12 months'), 0) AS recent
              FROM demo_earn e CROSS JOIN demo_ctx x GROUP BY e.customer_id) t
      LEFT JOIN demo_redeem r ON r.customer_id = t.customer_id
      CROSS JOIN demo_ctx x`,
  },
  {
    name: 'loyalty ledger',
    sql: `
    INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key, rooftop_id, occurred_at,
                               expires_at, remaining, balance_after)
    SELECT l.customer_id, l.type, l.points, l.reason, l.source, l.source_id, l.key, l.rooftop_id, l.occurred_at,
           CASE WHEN l.points > 0 THEN l.occurred_at + interval '24 months' END,
           CASE WHEN l.points > 0 THEN l.points END,
           sum(l.points) OVER (PARTITION BY l.customer_id ORDER BY l.seq, l.occurred_at, l.key)
      FROM (
        SELECT e.customer_id, 'earn' AS type, e.points, e.reason, e.source, e.source_id,
               'demo:' || e.source || ':' || e.source_id || ':' || e.customer_id AS key, e.rooftop_id, e.occurred_at, 0 AS seq
          FROM demo_earn e
        UNION ALL
        SELECT r.customer_id, 'redeem', -r.points, 'Service voucher', 'redemption', 'demo-voucher',
               'demo:redeem:' || r.customer_id, c.home_rooftop_id, r.occurred_at, 1
          FROM demo_redeem r JOIN customer c ON c.id = r.customer_id
      ) l
     ORDER BY l.customer_id, l.seq, l.occurred_at, l.key`,
  },
  {
    // Lots are consumed oldest first (FIFO): a lot keeps what the redemptions did not use.
    name: 'loyalty lots and redemptions',
    sql: `
    UPDATE loyalty_entry e SET remaining = f.remaining
      FROM (SELECT lot.id,
                   greatest(0, least(lot.points, sum(lot.points) OVER (PARTITION BY lot.customer_id ORDER BY lot.occurred_at, lot.id) - d.debited)) AS remaining
              FROM loyalty_entry lot
              JOIN (SELECT customer_id, -sum(points) AS debited FROM loyalty_entry WHERE type = 'redeem' AND idempotency_key LIKE 'demo:%' GROUP BY customer_id) d
                ON d.customer_id = lot.customer_id
             WHERE lot.type = 'earn' AND lot.idempotency_key LIKE 'demo:%') f
     WHERE e.id = f.id AND e.remaining <> f.remaining;
    INSERT INTO loyalty_redemption (customer_id, points, reason, entry_id, rooftop_id, created_at)
    SELECT e.customer_id, -e.points, e.reason, e.id, e.rooftop_id, e.occurred_at
      FROM loyalty_entry e WHERE e.type = 'redeem' AND e.idempotency_key LIKE 'demo:%'`,
  },
  {
    // The open cadence tasks of the last two weeks, as the follow-ups job raises them and with its dedupe keys
    // (so the app's first run adds none twice): the call 3 days after a sale, and the call 180/90/30 days
    // before a lease or finance contract ends. Each title is in its assignee's language.
    name: 'open tasks',
    sql: `
    INSERT INTO task (rooftop_id, customer_id, vehicle_id, type, title, assignee_id, due_at, status, dedupe_key, created_at)
    SELECT t.rooftop_id, t.customer_id, t.vehicle_id, t.type, ${titleInSql('t.titles', 'u.language')}, t.assignee_id, t.due_at,
           'open', t.key, t.due_at
      FROM (
        SELECT v.rooftop_id, v.owner_id AS customer_id, v.id AS vehicle_id, 'call_after_sale' AS type, v.sold_by_id AS assignee_id,
               ((v.purchase_date + 3) + time '09:00') AT TIME ZONE r.time_zone AS due_at,
               'task:call_after_sale:' || v.id || ':' || v.owner_id || ':+3d' AS key,
               ${taskTitlesSql('call_after_sale', { vehicle: VEHICLE_NAME })} AS titles
          FROM vehicle v JOIN rooftop r ON r.id = v.rooftop_id
         WHERE v.vin LIKE 'MR0DEMV%'
        UNION ALL
        SELECT v.rooftop_id, v.owner_id, v.id, 'lease_end', v.sold_by_id,
               ((v.term_end_date - d.d) + time '09:00') AT TIME ZONE r.time_zone,
               'task:term_end:' || v.id || ':' || v.owner_id || ':' || to_char(v.term_end_date, 'YYYY-MM-DD') || ':-' || d.d || 'd',
               CASE v.purchase_type
                 WHEN 'lease' THEN ${taskTitlesSql('lease_end', { date: TERM_END, vehicle: VEHICLE_NAME })}
                 ELSE ${taskTitlesSql('finance_end', { date: TERM_END, vehicle: VEHICLE_NAME })}
               END
          FROM vehicle v JOIN rooftop r ON r.id = v.rooftop_id
          CROSS JOIN unnest(ARRAY[180, 90, 30]) AS d(d)
         WHERE v.vin LIKE 'MR0DEMV%' AND v.purchase_type IN ('lease', 'finance')
      ) t
      JOIN app_user u ON u.id = t.assignee_id
      CROSS JOIN demo_ctx x
     WHERE t.due_at <= x.now AND t.due_at > x.now - interval '14 days'`,
  },
];
