"""National packs: an awareness week written once by a national lead, adopted by each force.

A pack is a folder: `pack.toml` (the week: name, hashtag, dates, days and posts, the national
helplines, and `[facts]`, what each force must give) and `posts/` (templates and images). A
force gives its facts in a facts file (the shape of organisation.toml, which it may name), and
`campaign init --from-pack DIR --facts FILE DEST` writes the force's campaign (`adopt`).
`model` reads packs and facts files; `facts` names the facts.
"""
