#pragma once
// The postmortem summary of one or more flows as Markdown: what the capture was, each
// flow's endpoints, times and end states, its findings (time, frame, severity, sentence),
// the user's annotations, and the exported ladder image(s). Text only: the caller writes
// the images (FlowRenderer) and passes their paths relative to the Markdown file.

#include "core/annotations/Annotations.h"
#include "core/model/Analysis.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace flowladder::ui {

struct PostmortemFlow {
    uint32_t flowId = 0;
    QStringList images; // relative to the Markdown file
};

QString postmortemMarkdown(const core::Analysis& analysis, const std::vector<PostmortemFlow>& flows,
                           const std::vector<core::Annotation>& annotations, const QString& notesFile = {});

} // namespace flowladder::ui
