"""A questionnaire per review cycle: what States are asked, defined as data by the secretariat."""
