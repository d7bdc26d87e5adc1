"""The input layer: from a project folder on disk to a :class:`~raci_gen.model.matrix.Project`.

Finding the project (:mod:`.discovery`), reading YAML with positions (:mod:`.yamlsource`), the shape of the input
files (:mod:`.schema`, :mod:`.fastcheck`), loading (:mod:`.loader`, which runs :mod:`.settings` for raci.yaml,
:mod:`.files` for the role and activity files, :mod:`.validation` for each file against its model and
:mod:`.cells` for the cells, within :mod:`.limits`), the templates folder (:mod:`.templatefolder`),
and what raci-gen asks git (:mod:`.gitrepo`) and the one clock (:mod:`.clock`). May import the model layer only.
"""
