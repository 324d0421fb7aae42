"""Citizens' feedback (意见反馈): giving it, answering it (分级负责), its 预警 ladder, figures.

Modules by use case: `submit` (the citizen's flow), `tracking` (/track, /mine, rating),
`answering` (the reviewers' inbox and decisions, the commission's disposition), `ladder`
(the scheduled scan), `figures` (for digests and the publicity close). `moves.move()` is the
one write path of an item's status; `routing` says who answers and who an item's sender is —
the sender only ever for the sender's own eyes.
"""
