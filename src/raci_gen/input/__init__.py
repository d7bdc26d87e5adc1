"""The input layer: from a project folder on disk to a :class:`~raci_gen.model.matrix.Project`.

Finding the project (:mod:`.discovery`), reading YAML with positions (:mod:`.yamlsource`), the shape of the input
files (:mod:`.schema`, :mod:`.fastcheck`), loading (:mod:`.loader`), the templates folder (:mod:`.templatefolder`),
and what raci-gen asks git (:mod:`.gitrepo`) and the one clock (:mod:`.clock`). May import the model layer only.
"""
