# The unique constraint reads the flag rather than the kind's name (its own transaction, after
# the data migration of 0009).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0009_application_one_per_applicant'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='application',
            name='application_one_per_municipality_and_call',
        ),
        migrations.AddConstraint(
            model_name='application',
            constraint=models.UniqueConstraint(condition=models.Q(('one_per_applicant', True), models.Q(('status', 'withdrawn'), _negated=True)), fields=('call', 'applicant'), name='application_one_per_applicant_and_call'),
        ),
    ]
