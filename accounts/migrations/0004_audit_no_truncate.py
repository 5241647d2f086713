from django.db import migrations

# TRUNCATE skips row triggers, so it gets a statement trigger of its own. Test databases
# connect with marc.audit_truncate=on (settings_test) because Django's test flush truncates.
NO_TRUNCATE = """
CREATE FUNCTION accounts_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('marc.audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: TRUNCATE is not allowed'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_auditevent_no_truncate
    BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_no_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_audit_append_only")]

    operations = [migrations.RunSQL(NO_TRUNCATE, DROP)]
