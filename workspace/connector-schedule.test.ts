// connectors.NAME.schedule / timezone / retries in analyst.yaml: a bad cron expression or time zone
// is an error naming it; the retry defaults are the documented ones.
import { describe, expect, it } from 'vitest';
import { connectorEntrySchema } from './config.ts';

const entry = (extra: Record<string, unknown>) => connectorEntrySchema.safeParse({ type: 'files', ...extra });

describe('connector schedules', () => {
  it('takes a cron expression (five or six fields) with a time zone, and defaults the retries', () => {
    const five = entry({ schedule: '0 2 * * *', timezone: 'America/New_York' });
    expect(five.success).toBe(true);
    expect(five.data).toMatchObject({ schedule: '0 2 * * *', retries: 3, retry_backoff_seconds: 60 });
    expect(entry({ schedule: '*/30 * * * * *' }).success).toBe(true);
  });

  it('refuses what is not a cron expression or an IANA time zone', () => {
    const bad = entry({ schedule: 'every night' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('cron');
    expect(entry({ schedule: '61 * * * *' }).success).toBe(false);
    const tz = entry({ schedule: '0 2 * * *', timezone: 'Mars/Olympus' });
    expect(tz.success).toBe(false);
    expect(JSON.stringify(tz.error?.issues)).toContain('IANA');
    expect(entry({ retries: -1 }).success).toBe(false);
  });
});
