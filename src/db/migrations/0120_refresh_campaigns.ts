/**
 * The yearly refresh (DOMAIN.md "After the kindergarten door"; docs/QUEUE-YEAR.md). A campaign is
 * opened once a year by the refresh job on the first day of the policy's window
 * (refreshStartMonthDay..refreshEndMonthDay) and closed once after its last day. Every application
 * queued when it opened is asked (one row here); the parent confirms it; at the close the ones still
 * asked and still queued become inactive (reason refresh_unconfirmed). Confirming later makes the
 * application queued again at its original place, and the row says it was confirmed late.
 */
export const up = `
create table refresh_campaigns (
  id bigserial primary key,
  year integer not null,
  starts_on date not null,
  ends_on date not null,
  opened_at timestamptz not null,
  asked integer not null default 0,
  closed_at timestamptz,
  deactivated integer,
  check (ends_on >= starts_on),
  check ((closed_at is null) = (deactivated is null))
);
create unique index refresh_campaigns_year_key on refresh_campaigns(year);

create table refresh_requests (
  campaign_id bigint not null references refresh_campaigns(id),
  application_id bigint not null references applications(id),
  status text not null default 'asked' check (status in ('asked', 'confirmed', 'unconfirmed')),
  asked_at timestamptz not null,
  confirmed_at timestamptz,
  -- confirmed after the campaign closed (the application came back from inactive)
  confirmed_late boolean not null default false,
  primary key (campaign_id, application_id),
  check ((status = 'confirmed') = (confirmed_at is not null)),
  check (not confirmed_late or status = 'confirmed')
);
create index refresh_requests_application_idx on refresh_requests(application_id);
create index refresh_requests_asked_idx on refresh_requests(campaign_id) where status = 'asked';
`;
