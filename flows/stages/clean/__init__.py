"""Clean stage: from a raw page to its article text, every removed line kept with its
reason. `cleaner.clean` is the page-level entry point (trafilatura for HTML, then the line
classifier in `lines` with its features and model); `walls` rejects cookie/login walls and
error pages; `dates` reads datelines; `_render` renders a page's visible lines; `recall`
is the HTML body recall guard, `_placement` places extracted paragraphs on the page,
`_hydration` reads the article of a client-rendered page."""
