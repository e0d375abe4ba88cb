"""What a person looks at after a run: the data-quality dashboard (`dashboard`) and
Great Expectations' Data Docs (`datadocs`)."""
