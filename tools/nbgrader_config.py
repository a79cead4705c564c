# nbgrader settings for an nnbook course directory. Copy this file next to `source/` in a
# course directory of your own (see teachers.md); the project's tools use it too.
c = get_config()  # noqa: F821 - nbgrader provides get_config when it loads this file

c.CourseDirectory.course_id = "nnbook"
# The gradebook is nbgrader's default: gradebook.db in the course directory (never the repository).
# The slowest graded cell (chapter 7 trains two small networks) takes a few seconds;
# nbgrader's default of 30 s per cell would cut off a slow machine or a slow student answer.
c.Execute.timeout = 300

# `nbgrader zip_collect <assignment>` (collecting an LMS export, see teachers.md) reads the
# learner and the notebook from each file name. This pattern fits Canvas's
# "Download Submissions" zip (name_userid_submissionid_file.ipynb, with LATE_ for late ones);
# adapt it to your LMS. The pattern is matched against the whole path of each extracted file.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.zipcollect.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[^/_]+)_(?:LATE_)?\d+_\d+_(?P<file_id>[^/]+\.ipynb)"
)
