"""Territorial data hub: datasets of the cities, versions, validation against Table Schemas
(SCDL), personal-data scan, tabular API, DCAT-AP export and publication to national portals.

The modules without a Django import (`tabular`, `validation`, `privacy`, `store`, `dcat`,
`portals`) hold the algorithms; the app layers (models, services, selectors, views, api) use them.
"""
